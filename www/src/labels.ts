// Human names of the API's enums, in one place.
import type { ConnectionType, KeysChoice, Method, Rotation, SecretsChoice } from './api';

export const TYPE_NAMES: Record<ConnectionType, string> = {
  'azure-client-secrets': 'Azure Client Secrets',
  'azure-app-configuration': 'Azure App Configuration',
};

export const TYPE_LINES: Record<ConnectionType, string> = {
  'azure-client-secrets': 'Read app registrations in Microsoft Graph and rotate their client secrets.',
  'azure-app-configuration': 'Sync secrets as key-values into an Azure App Configuration store.',
};

export const METHOD_NAMES: Record<Method, string> = {
  oauth: 'OAuth (sign in to Azure)',
  'client-secret': 'Client Secret',
  certificate: 'Certificate',
};

export const METHOD_SHORT: Record<Method, string> = {
  oauth: 'OAuth',
  'client-secret': 'Client Secret',
  certificate: 'Certificate',
};

export const METHOD_LINES: Record<Method, string> = {
  oauth: 'Sign in as a user who can grant the permissions; azconn keeps a refresh token.',
  'client-secret': "Your own app registration's client ID and a client secret value.",
  certificate: "Your own app registration's client ID and a certificate with its private key.",
};

/** The rotated app's name as the lists show it (its app ID when Graph gave no name); a
 * rotation's or a leftover's. */
export function appName(r: Pick<Rotation, 'target'>): string {
  return r.target?.displayName ?? r.target?.appId ?? 'an app registration';
}

export const STATUS_NAMES: Record<string, string> = {
  active: 'Active',
  failing: 'Failing',
  'needs-reauth': 'Needs reconnect',
};

/** What to grant, per type and method (the seed's list; the store role for App Configuration). */
export function permissionsFor(type: ConnectionType, method: Method): string[] {
  if (type === 'azure-client-secrets') {
    return method === 'oauth'
      ? [
          'Microsoft Graph, delegated: Application.ReadWrite.All',
          'Microsoft Graph, delegated: Directory.ReadWrite.All',
          'Microsoft Graph, delegated: User.Read',
          'Microsoft Graph, delegated: offline_access, openid',
        ]
      : [
          'Microsoft Graph, application: Application.ReadWrite.OwnedBy (add this app as an owner of each app it rotates)',
          'or Microsoft Graph, application: Application.ReadWrite.All (every app in the tenant)',
          'Grant admin consent for the tenant',
        ];
  }
  const plane = [
    'Azure App Configuration, delegated: KeyValue.Read, KeyValue.Write, KeyValue.Delete',
    'On the store (Access control, IAM): the App Configuration Data Owner role for the signing-in user or the app',
  ];
  return method === 'oauth' ? [...plane, 'Microsoft Graph, delegated: User.Read, offline_access, openid'] : plane.slice(1);
}

/** What deleting a rotation does with its secrets, a sync with its keys (the same words wherever one is deleted). */
export const SECRETS_CHOICES: [SecretsChoice, string][] = [['revoke', 'Revoke them in Entra ID (apps using them stop working)'], ['keep', 'Keep them until they expire']];
/** What removing a leftover (a rotation deleted with `keep`) does with the secrets it left on the app. */
export const LEFTOVER_CHOICES: [SecretsChoice, string][] = [['revoke', 'Revoke them in Entra ID (apps using them stop working)'], ['keep', 'Just forget the record: they stay until they expire']];
export const KEYS_CHOICES: [KeysChoice, string][] = [['remove', 'Remove them from the store'], ['keep', 'Keep them in the store']];
