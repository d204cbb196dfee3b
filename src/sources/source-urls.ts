import type { SignInUrls } from '../plugin-api.ts';

// The daemon's public URLs for one source: what an administrator registers at the identity
// provider (`provisiond sources show NAME` prints them). They depend only on the public base URL,
// the type and the name, so they stay stable across restarts.

export function signInUrls(
  publicUrl: string,
  source: { name: string; type: string },
): SignInUrls | null {
  const base = `${publicUrl}/auth/${source.type}/${encodeURIComponent(source.name)}`;
  if (source.type === 'saml')
    return { login: `${base}/login`, callback: `${base}/acs`, metadata: `${base}/metadata` };
  if (source.type === 'oidc') return { login: `${base}/login`, callback: `${base}/callback` };
  return null;
}
