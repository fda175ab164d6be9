import type { Detector } from './detector';

export const ansiEscapes: Detector = () => {};
