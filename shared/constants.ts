/** Plain values shared by the schemas and the pane (no zod here, so the pane's bundle stays small). */

/** The sales process stages, in order (as in Dynamics 365's lead-to-opportunity process). */
export const STAGES = ['qualify', 'develop', 'propose', 'close'] as const;

/** The largest page any list, timeline or work answer returns; each documents its own default. */
export const PAGE_MAX = 100;

/** The most values a repeated query parameter takes: a client with more asks in chunks (addin/regarding/people-queries.ts). */
export const REPEATED_MAX = 100;

/** Minutes a completed phone call may start after the server's clock: "completed" only if it happened. */
export const COMPLETED_CALL_LEEWAY_MINUTES = 5;

/** The Referral campaign (migration 001): a new opportunity's unless another is chosen; the pane asks who referred it. */
export const REFERRAL_CAMPAIGN_ID = 1;

/** The most points a category or an outcome may be worth (an activity earns its category's plus its outcome's). */
export const ACTIVITY_POINTS_MAX = 1000;
/** The most business days an exception rule's threshold may be (the pane's editor offers 1 to this). */
export const EXCEPTION_RULE_DAYS_MAX = 60;

/** The id of the JSON block in which the server puts the sign-in configuration into the pane's page. */
export const SIGN_IN_CONFIG_ELEMENT = 'regarding-config';
