import { z } from 'zod';

// Reading a submitted modal. Every input's block_id and action_id are the ONSIM field it fills,
// so a field's element state sits at `values[field][field]`.

const ElementState = z.looseObject({
  value: z.string().nullish(),
  selected_option: z.looseObject({ value: z.string() }).nullish(),
  selected_conversation: z.string().nullish(),
});
const StateValues = z.record(z.string(), z.record(z.string(), ElementState));

export interface FormState {
  /** A text input's value as typed (undefined when empty or absent). */
  text(field: string): string | undefined;
  /** A select's or radio group's chosen value. */
  choice(field: string): string | undefined;
  /** A conversations_select's chosen channel. */
  conversation(field: string): string | undefined;
}

export function readForm(values: unknown): FormState {
  const parsed = StateValues.safeParse(values ?? {});
  const state = parsed.success ? parsed.data : {};
  const el = (field: string) => state[field]?.[field];
  const nonEmpty = (v: string | null | undefined) =>
    v === null || v === undefined || v === '' ? undefined : v;
  return {
    text: (field) => nonEmpty(el(field)?.value),
    choice: (field) => nonEmpty(el(field)?.selected_option?.value),
    conversation: (field) => nonEmpty(el(field)?.selected_conversation),
  };
}

/** zod issues → `response_action: 'errors'` map, first message per field (the block_id). */
export function issuesToErrors(
  issues: readonly z.core.$ZodIssue[],
  fallbackField: string,
  maxLength = 1000,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? fallbackField);
    errors[field] ??=
      issue.message.length > maxLength ? `${issue.message.slice(0, maxLength - 1)}…` : issue.message;
  }
  return errors;
}
