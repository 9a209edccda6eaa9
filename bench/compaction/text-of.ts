// Plain text of a conversation as a reader would search it: message text, tool calls with their
// arguments decoded (so a command is found as typed, not JSON-escaped), tool outputs, summaries.
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { messageText, toolOutputText } from '../../src/conversation/model.ts';

function stringsIn(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsIn(v, out);
}

export function itemPlainText(item: Item): string {
  switch (item.kind) {
    case 'message':
      return messageText(item.content);
    case 'tool_call': {
      const out = [item.name, item.arguments];
      try {
        stringsIn(JSON.parse(item.arguments), out);
      } catch {
        // custom tools carry free text
      }
      return out.join('\n');
    }
    case 'tool_result':
      return toolOutputText(item.output);
    case 'reasoning':
      return [item.text ?? '', ...item.summary].join('\n');
    case 'compaction':
      return item.summaryText ?? '';
    default:
      return '';
  }
}

/** The whole conversation as one whitespace-normalized string. */
export function haystackOf(conversation: Conversation): string {
  return [conversation.instructions ?? '', ...conversation.items.map(itemPlainText)].join('\n').replace(/\s+/g, ' ');
}
