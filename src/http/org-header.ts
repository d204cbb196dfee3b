/** The header naming the organization a request is about; the CLI sends it for --org. */
export const ORG_HEADER = 'x-provisiond-organization';
