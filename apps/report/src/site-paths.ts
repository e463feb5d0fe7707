import { slug, slugPath } from './paths.js';

/** Where each kind of page lives in the site (site-relative, '/'-separated). */

const base = (dir: string) => slugPath(dir) || '_root';

export const INDEX = 'index.html';
export const READINESS = 'readiness.html';
export const sweepBase = (dir: string): string => `sweeps/${base(dir)}`;
export const sweepPage = (dir: string): string => `${sweepBase(dir)}/index.html`;
export const configBase = (dir: string, id: string): string => `${sweepBase(dir)}/${slug(id)}`;
export const configPage = (dir: string, id: string): string => `${configBase(dir, id)}/index.html`;
export const runBase = (dir: string, id: string, run: string): string => `${configBase(dir, id)}/${slug(run)}`;
export const chaosPage = (dir: string): string => `chaos/${base(dir)}/index.html`;
export const hazardsPage = (dir: string): string => `hazards/${base(dir)}/index.html`;
export const crashPage = (dir: string): string => `crash/${base(dir)}/index.html`;
export const COMPARE_INDEX = 'compare/index.html';
export const comparePage = (a: string, b: string): string => `compare/${slug(base(a))}--${slug(base(b))}.html`;
