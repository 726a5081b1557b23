/**
 * This package's version (package.json's `version`), which `anyvip --version` prints. A constant
 * rather than a read of package.json: the shipped bundle (dist/bundle/) sits elsewhere than
 * package.json, and the image carries none, and yargs' own guess walks up from the working
 * directory. test/cli/version.test.ts keeps it equal to package.json.
 */
export const packageVersion = '0.1.0';
