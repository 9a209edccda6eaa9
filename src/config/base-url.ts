// Checks an upstream base URL where it enters (command line, config file): http or https only; a
// URL that already names an endpoint is refused with the base URL to use instead, since the relay
// appends /chat/completions, /responses or /messages itself; one without a version segment
// (/v1, /v1beta, /v4…) is accepted with a warning, as most upstreams need it.

export interface BaseUrlCheck {
  /** The URL as given, without trailing slashes. */
  url: string;
  /** Set when the URL is accepted but probably wrong. */
  warning?: string;
}

const ENDPOINT_SUFFIX = /\/(chat\/completions|completions|responses(\/compact)?|messages(\/count_tokens)?|embeddings|models)$/i;
const VERSION_SEGMENT = /^v\d+[a-z0-9]*$/i;

/** Throws an Error naming `label` (a flag or a config path) when the URL cannot be a base URL. */
export function checkBaseUrl(input: string, label = '--base-url'): BaseUrlCheck {
  const url = input.trim().replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${label} is not a URL: "${input}" (expected something like https://api.openai.com/v1).`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`${label} must be an http:// or https:// URL; got "${input}".`);
  }
  const endpoint = ENDPOINT_SUFFIX.exec(parsed.pathname.replace(/\/+$/, ''));
  if (endpoint) {
    const base = url.slice(0, url.length - endpoint[0].length);
    throw new Error(`${label} "${input}" ends in the endpoint path /${endpoint[1]}; give the base URL instead: ${base} (the relay adds /chat/completions, /responses or /messages itself).`);
  }
  const versioned = parsed.pathname.split('/').some((segment) => VERSION_SEGMENT.test(segment));
  if (versioned) return { url };
  return {
    url,
    warning: `${label} "${url}" has no version segment such as /v1: requests will go to ${url}/chat/completions (or /responses, /messages), while most upstreams expect ${url}/v1/chat/completions. If the upstream answers 404, use ${url}/v1.`,
  };
}
