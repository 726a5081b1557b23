/** The API group of anyvip's custom resources (issue 14, notes in docs/configuration.md). */
export const anyvipGroup = 'anyvip.io';

/** The one served and stored version. */
export const anyvipVersion = 'v1alpha1';

/** `apiVersion` of every anyvip custom resource. */
export const anyvipApiVersion = `${anyvipGroup}/${anyvipVersion}` as const;
