import { createCodesSchema } from '../../invitations/code-store.ts';
import { createInvitationSchema } from '../../invitations/invitation-request.ts';
import { body, errors, ok, query, ref } from './openapi-parts.ts';
import { z } from 'zod';

// The OpenAPI paths of invitations and invitation codes.

export function invitationPaths(): Record<string, object> {
  return {
    '/invitations': {
      get: {
        summary: 'Invitations, newest first',
        parameters: [
          query('status', 'pending, accepted, expired, deleted or added'),
          query('email', 'part of the address'),
          query('source', 'sent by this directory source'),
        ],
        responses: { 200: ok('invitations'), ...errors },
      },
      post: {
        summary:
          'Invite one or many addresses (pending members, mails); the answer holds each link',
        requestBody: body(createInvitationSchema),
        responses: { 201: ok('{ items, total }'), ...errors },
      },
    },
    '/invitations/{id}': {
      parameters: [ref('id')],
      get: { summary: 'One invitation', responses: { 200: ok('the invitation'), ...errors } },
      delete: {
        summary: 'Delete a pending invitation and its pending member',
        responses: { 200: ok('the invitation'), ...errors },
      },
    },
    '/invitations/{id}/resend': {
      parameters: [ref('id')],
      post: {
        summary: 'A new link with a fresh expiry; the old link stops working',
        responses: { 200: ok('the invitation with its link'), ...errors },
      },
    },
    '/codes': {
      get: {
        summary: 'Invitation codes, newest first (never the codes themselves)',
        parameters: [query('status', 'valid, used, disabled or expired'), query('scope', 'group')],
        responses: { 200: ok('codes'), ...errors },
      },
      post: {
        summary: 'Create 1-10 codes; the answer is the only place the codes appear',
        requestBody: body(createCodesSchema),
        responses: { 201: ok('{ codes, validUntil, scope, … }'), ...errors },
      },
    },
    '/codes/{id}': {
      parameters: [ref('id')],
      get: {
        summary: 'One code, by its id (a code itself is refused: codes never go in a URL)',
        responses: { 200: ok('the code'), ...errors },
      },
    },
    '/codes/{id}/disable': {
      parameters: [ref('id')],
      post: { summary: 'Disable a code', responses: { 200: ok('the code'), ...errors } },
    },
    '/codes/copy': {
      post: {
        summary: 'The hand-over text of codes, with scope and validity date',
        requestBody: body(z.object({ codes: z.array(z.string()) })),
        responses: { 200: ok('{ text, codes }'), ...errors },
      },
    },
    '/codes/redeem': {
      post: {
        summary: 'Use a code for a member (administrators; members use POST /auth/codes/redeem)',
        requestBody: body(z.object({ code: z.string(), member: z.string() })),
        responses: { 200: ok('what was granted'), ...errors },
      },
    },
  };
}
