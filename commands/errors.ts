// The command layer's refusals (authentication among them) are AppErrors of the shared catalogue
// (kernel/errors.ts). This file only re-exports it, until every import points at kernel/ directly.
export { AppError } from '../kernel/errors.js';
