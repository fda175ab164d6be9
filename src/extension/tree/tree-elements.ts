// The elements of the Servers tree: the model's rows, plus a hint under a server whose tools are unknown.
import type { Notice, ServerRow, ToolRow } from '../../workbench/tree-model';

export interface HintRow {
  kind: 'hint';
  server: string;
  message: string;
}

export type TreeElement = Notice | ServerRow | ToolRow | HintRow;
