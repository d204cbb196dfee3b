import { ScimError } from './scim-error.ts';

// ETags are the resource's version: W/"<n>". If-Match with another version is refused with 412.

function versionOf(etag: string): number | null {
  const match = /^(?:W\/)?"(\d+)"$/.exec(etag.trim());
  return match ? Number(match[1]) : null;
}

export function checkIfMatch(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const accepted = ifMatch.split(',').map((tag) => versionOf(tag));
  if (!accepted.includes(version)) {
    throw new ScimError(
      412,
      undefined,
      `the resource has changed: its version is W/"${version}", not ${ifMatch}`,
    );
  }
}

/** If-None-Match on a GET: true when the client already holds this version (answer 304). */
export function notModified(ifNoneMatch: string | undefined, version: number): boolean {
  if (ifNoneMatch === undefined) return false;
  return (
    ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => versionOf(tag) === version)
  );
}
