/** Plain values shared by the schemas and the pane (no zod here, so the pane's bundle stays small). */

/** The sales process stages, in order (as in Dynamics 365's lead-to-opportunity process). */
export const STAGES = ['qualify', 'develop', 'propose', 'close'] as const;
