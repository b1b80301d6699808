/** A count with its noun, in the reader's number format: "1 post", "1,204 posts". */
export const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
