import type { Detector } from './detector';

export const oversizedDescription: Detector = () => {};
