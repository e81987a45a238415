// Types of ./build.mjs (plain JavaScript: prestart runs it with node alone).
export declare const OUT_DIR: string;
export declare function isStale(): Promise<boolean>;
export declare function buildDashboard(options?: { quiet?: boolean }): Promise<{ js: string; css: string }>;
