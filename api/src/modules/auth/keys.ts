/** Redis keys of the auth module; `prefix` isolates deployments and test runs sharing one Redis. */
export function authKeys(prefix: string) {
  const familyPrefix = `${prefix}auth:family:`;
  const userFamiliesPrefix = `${prefix}auth:user-families:`;
  return {
    /** Hash of one refresh-token family (login session). */
    family: (familyId: string) => familyPrefix + familyId,
    /** Set of a user's familyIds (may still hold ids of families that expired). */
    userFamilies: (userId: string) => userFamiliesPrefix + userId,
    /** The key prefixes above, for Lua scripts that build keys from ids they read. */
    familyPrefix,
    userFamiliesPrefix,
  };
}
