/** The detectors run on every text, in this order. `annotation-mismatch` reads whole tools instead. */

import type { Detector } from './detector';
import { ansiEscapes } from './ansi-escape';
import { hiddenInstructions } from './hidden-instructions';
import { hiddenUnicode } from './hidden-unicode';
import { oversizedDescription } from './oversized-description';
import { sensitivePaths } from './sensitive-path';
import { toolShadowing } from './tool-shadowing';

export const DETECTORS: readonly Detector[] = [
  hiddenUnicode,
  ansiEscapes,
  hiddenInstructions,
  sensitivePaths,
  toolShadowing,
  oversizedDescription,
];
