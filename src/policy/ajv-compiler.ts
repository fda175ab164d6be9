// ajv's compiler and formats, built as their own file (dist/ajv-compiler.js) and required by ajv-loader.ts
// only for a policy that has `args`: the extension and the proxy do not compile them otherwise.
export { default as Ajv } from 'ajv';
export { default as addFormats } from 'ajv-formats';
export { linearRegExp, patternProblem } from './linear-regex';
