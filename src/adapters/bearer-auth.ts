// How the OpenAI-format APIs authenticate: the key as a Bearer token.

export function bearerAuth(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}
