import validator from '@authenio/samlify-node-xmllint';
import samlify from 'samlify';
import type {
  IdentitySource,
  IdentitySourcePlugin,
  RedirectSignIn,
  SignInCallback,
  SignInStart,
  SourceContext,
  VerifiedIdentity,
} from '../../src/plugin-api.ts';
import type { SamlSourceConfig } from './config.ts';
import { IdpMetadata } from './idp-metadata.ts';
import { SignInRefused } from '../../src/plugin-api.ts';
import { type AssertionFacts, refusalOf, replayWindowEnd } from './saml-checks.ts';

// SAML 2.0 service provider with samlify: SP-initiated login over the redirect binding, the ACS
// over the POST binding. samlify checks the XML schema, the signature (response or assertion, with
// the IdP's metadata certificate) and the Conditions time window; saml-checks.ts adds audience,
// recipient, destination, InResponseTo, and the replay check stores assertion ids in the database.

samlify.setSchemaValidator(validator);

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

function text(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first.trim() !== '' ? first.trim() : undefined;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/** What the checks need, read from the assertion whose signature was verified (not the envelope). */
function assertionFacts(assertionXml: string, responseXml: string): AssertionFacts {
  const fromAssertion = samlify.Extractor.extract(assertionXml, [
    { key: 'assertion', localPath: ['Assertion'], attributes: ['ID'] },
    {
      key: 'audiences',
      localPath: ['Assertion', 'Conditions', 'AudienceRestriction', 'Audience'],
      attributes: [],
    },
    {
      key: 'conditions',
      localPath: ['Assertion', 'Conditions'],
      attributes: ['NotBefore', 'NotOnOrAfter'],
    },
    {
      key: 'confirmation',
      localPath: ['Assertion', 'Subject', 'SubjectConfirmation', 'SubjectConfirmationData'],
      attributes: ['Recipient', 'NotOnOrAfter', 'InResponseTo'],
    },
  ]);
  const fromResponse = samlify.Extractor.extract(responseXml, [
    { key: 'response', localPath: ['Response'], attributes: ['Destination', 'InResponseTo'] },
  ]);
  const confirmation = asRecord(fromAssertion.confirmation);
  const conditions = asRecord(fromAssertion.conditions);
  const response = asRecord(fromResponse.response);
  const audiences = fromAssertion.audiences;
  const confirmationEnd = text(confirmation.notOnOrAfter);
  const conditionsEnd = text(conditions.notOnOrAfter);
  return {
    // With a single attribute asked for, the extractor answers its value rather than an object.
    assertionId: text(fromAssertion.assertion),
    audiences: (Array.isArray(audiences) ? audiences : [audiences])
      .map(text)
      .filter((a): a is string => a !== undefined),
    recipient: text(confirmation.recipient),
    destination: text(response.destination),
    inResponseTo: text(confirmation.inResponseTo) ?? text(response.inResponseTo),
    notBefore: text(conditions.notBefore),
    // The earlier of the two ends, so that neither window is stretched.
    notOnOrAfter: [confirmationEnd, conditionsEnd]
      .filter((d): d is string => d !== undefined)
      .sort((a, b) => Date.parse(a) - Date.parse(b))[0],
  };
}

class SamlSignIn implements RedirectSignIn {
  readonly callbackMethod = 'POST';
  readonly callbackName = 'acs';
  readonly sp: samlify.ServiceProviderInstance;
  private readonly idpMetadata: IdpMetadata;

  constructor(
    private readonly config: SamlSourceConfig,
    private readonly context: SourceContext,
  ) {
    this.idpMetadata = new IdpMetadata(config, context.log);
    this.sp = samlify.ServiceProvider({
      entityID: this.entityId,
      assertionConsumerService: [{ Binding: POST, Location: context.urls.callback }],
      authnRequestsSigned: false,
      wantAssertionsSigned: true,
      clockDrifts: [-config.clockSkewSeconds * 1000, config.clockSkewSeconds * 1000],
    });
  }

  get entityId(): string {
    return this.config.entityId ?? this.context.urls.metadata ?? this.context.urls.callback;
  }

  /** samlify's checks (schema, signature, time window) and a signed assertion, or why not. */
  private async verify(
    SAMLResponse: string,
    idp: samlify.IdentityProviderInstance,
  ): Promise<
    | { parsed: { samlContent: string; extract: Record<string, unknown> }; assertionXml: string }
    | { refusal: string }
  > {
    let parsed: { samlContent: string; extract: Record<string, unknown> };
    try {
      parsed = await this.sp.parseLoginResponse(idp, 'post', { body: { SAMLResponse } });
    } catch (error) {
      return {
        refusal: `the SAML response was refused: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const [verified, assertionXml] = samlify.SamlLib.verifySignature(parsed.samlContent, {
      metadata: idp.entityMeta,
    });
    if (!verified || typeof assertionXml !== 'string')
      return { refusal: 'no signed assertion in the SAML response' };
    return { parsed, assertionXml };
  }

  async metadata(): Promise<string> {
    return this.sp.getMetadata();
  }

  async start(flowId: string): Promise<SignInStart> {
    const idp = await this.idpMetadata.identityProvider();
    const request = this.sp.createLoginRequest(idp, 'redirect', { relayState: flowId });
    return { redirectUrl: request.context, pending: { requestId: request.id } };
  }

  flowIdOf(callback: SignInCallback): string | null {
    return callback.form.RelayState ?? null;
  }

  async complete(
    callback: SignInCallback,
    pending: Record<string, string>,
  ): Promise<VerifiedIdentity> {
    if (!callback.form.SAMLResponse) throw new SignInRefused('no SAMLResponse was posted');
    const held = await this.idpMetadata.identityProvider();
    let outcome = await this.verify(callback.form.SAMLResponse, held);
    if ('refusal' in outcome) {
      // The IdP may have rolled its signing certificate since we read its metadata.
      const renewed = await this.idpMetadata.afterVerificationFailure();
      if (renewed) outcome = await this.verify(callback.form.SAMLResponse, renewed);
    }
    if ('refusal' in outcome) throw new SignInRefused(outcome.refusal);
    const { parsed, assertionXml } = outcome;
    const facts = assertionFacts(assertionXml, parsed.samlContent);
    const refusal = refusalOf(facts, {
      audience: this.entityId,
      acsUrl: this.context.urls.callback,
      requestId: pending.requestId ?? '',
      now: new Date(),
      clockSkewSeconds: this.config.clockSkewSeconds,
    });
    if (refusal) throw new SignInRefused(refusal);
    if (
      !(await this.context.consumeOnce(
        facts.assertionId!,
        replayWindowEnd(facts.notOnOrAfter!, this.config.clockSkewSeconds),
      ))
    ) {
      throw new SignInRefused('this assertion was already used (replay)');
    }
    const nameId = text(parsed.extract.nameID);
    if (!nameId) throw new SignInRefused('the assertion has no NameID');
    const attributes = asRecord(parsed.extract.attributes);
    const field = (name: string | undefined) => (name ? text(attributes[name]) : undefined);
    const mapped = this.config.attributes;
    return {
      externalId: nameId,
      login: nameId,
      ...optional('email', field(mapped.email)),
      ...optional('firstName', field(mapped.firstName)),
      ...optional('lastName', field(mapped.lastName)),
      ...optional('displayName', field(mapped.displayName)),
    };
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

class SamlSource implements IdentitySource {
  readonly type = 'saml';
  readonly signIn: SamlSignIn;
  constructor(
    readonly name: string,
    config: SamlSourceConfig,
    context: SourceContext,
  ) {
    this.signIn = new SamlSignIn(config, context);
  }
}

export const samlPlugin: IdentitySourcePlugin<SamlSourceConfig> = {
  type: 'saml',
  create: (config, context) => new SamlSource(config.name, config, context),
};
