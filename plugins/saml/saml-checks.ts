// The checks samlify leaves to its caller, as one pure function over what was extracted from the
// signature-verified assertion: audience, recipient, destination, InResponseTo and the validity
// window. Returns the reason to refuse, or null.

export interface AssertionFacts {
  assertionId: string | undefined;
  audiences: string[];
  recipient: string | undefined;
  destination: string | undefined;
  inResponseTo: string | undefined;
  notBefore: string | undefined;
  notOnOrAfter: string | undefined;
}

export interface Expectations {
  audience: string;
  acsUrl: string;
  requestId: string;
  now: Date;
  clockSkewSeconds: number;
}

export function refusalOf(facts: AssertionFacts, expected: Expectations): string | null {
  if (!facts.assertionId) return 'the assertion has no ID';
  if (!facts.audiences.includes(expected.audience))
    return 'the assertion is not meant for this service provider (audience)';
  if (facts.recipient !== expected.acsUrl)
    return 'the assertion is not meant for this ACS (recipient)';
  if (facts.destination !== undefined && facts.destination !== expected.acsUrl)
    return 'the response is not meant for this ACS (destination)';
  if (facts.inResponseTo !== expected.requestId)
    return 'the response does not answer the request this sign-in sent (InResponseTo)';
  if (!facts.notOnOrAfter) return 'the assertion has no end of validity (NotOnOrAfter)';
  const skew = expected.clockSkewSeconds * 1000;
  const now = expected.now.getTime();
  if (facts.notBefore && Date.parse(facts.notBefore) - skew > now)
    return 'the assertion is not valid yet (NotBefore)';
  const end = Date.parse(facts.notOnOrAfter);
  if (Number.isNaN(end) || end + skew <= now) return 'the assertion has expired (NotOnOrAfter)';
  return null;
}

/** How long an assertion id must be remembered: until no clock could still accept it. */
export function replayWindowEnd(notOnOrAfter: string, clockSkewSeconds: number): Date {
  return new Date(Date.parse(notOnOrAfter) + clockSkewSeconds * 1000);
}
