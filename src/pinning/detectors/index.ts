/**
 * The detectors run on every text, in this order. `annotation-mismatch` reads whole tools instead.
 * The ones that look for words and paths read the text's skeleton, so look-alike letters, compatibility
 * forms and invisible characters cannot hide a phrase from them; their findings point into the text as
 * written. The others read the characters themselves.
 */

import type { Detector, DetectorContext } from './detector';
import type { FieldText } from '../fields';
import type { Finding } from '../findings';
import { ansiEscapes } from './ansi-escape';
import { hiddenInstructions } from './hidden-instructions';
import { hiddenUnicode } from './hidden-unicode';
import { lookAlikes } from './look-alike';
import { oversizedDescription } from './oversized-description';
import { sensitivePaths } from './sensitive-path';
import { skeletonOf } from './skeleton';
import { toolShadowing } from './tool-shadowing';

function onSkeleton(detect: Detector): Detector {
  return (field: FieldText, context: DetectorContext, out: Finding[]) => detect(skeletonOf(field), context, out);
}

export const DETECTORS: readonly Detector[] = [
  hiddenUnicode,
  lookAlikes,
  ansiEscapes,
  onSkeleton(hiddenInstructions),
  onSkeleton(sensitivePaths),
  onSkeleton(toolShadowing),
  oversizedDescription,
];
