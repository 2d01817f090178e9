import type { Migration } from '../migrate';
import { initial } from './001_initial';
import { searchPrefixes } from './002_search_prefixes';

/** Every schema change, in order. Never edit a released migration: add the next one. */
export const migrations: Migration[] = [initial, searchPrefixes];
