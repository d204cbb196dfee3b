// An email is required and must not contain an apostrophe. It is not unique: an
// administrator's address may stand in for people who have none.

const SHAPE = /^[^\s@]+@[^\s@]+$/;

export function emailProblem(email: string): string | null {
  if (email.length === 0) return 'is required';
  if (email.includes("'")) return "must not contain an apostrophe (')";
  if (email.length > 254) return 'must be at most 254 characters';
  if (!SHAPE.test(email)) return 'must look like name@domain, without spaces';
  return null;
}
