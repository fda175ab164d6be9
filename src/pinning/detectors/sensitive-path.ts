import type { Detector } from './detector';

export const sensitivePaths: Detector = () => {};
