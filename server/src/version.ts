/** The version of the extension, its server and its linter (package.json says the same; a test holds them equal). */
export const VERSION = '0.1.0';
