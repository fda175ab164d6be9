import type { Detector } from './detector';

export const hiddenInstructions: Detector = () => {};
