// Types for the one export TypeScript code imports from the JavaScript webpack config (bench/pane.ts).
import type { RuleSetRule } from 'webpack';

export declare const scriptRule: RuleSetRule;
