import type { Detector } from './detector';

export const toolShadowing: Detector = () => {};
