/*
 * version_cmp.h — how the agent orders version strings (session-flow.md
 * §4.1), the rules the official agent applies to a client's ClientVersion
 * when it picks a port session's mode and keepalive:
 *
 *   1. both strings semantic versions (MAJOR.MINOR.PATCH, digits only, with
 *      an optional -prerelease and +build): semver precedence — the three
 *      numbers, then a release above any of its prereleases, prerelease
 *      identifiers compared one by one (numeric ones as numbers and below
 *      alphanumeric ones, those as text), fewer identifiers lower; build
 *      metadata ignored;
 *   2. otherwise component by component on '.': as integers when both
 *      components are integers (an optional sign, then digits), else as
 *      text (byte order); when every shared component is equal, the string
 *      with more components is greater ("1.1.70.0" > "1.1.70").
 *
 * Pure: no allocation, no locale.
 */
#ifndef POSTERN_VERSION_CMP_H
#define POSTERN_VERSION_CMP_H

/* < 0, 0 or > 0 as a orders before, with or after b. NULL reads as "". */
int version_cmp(const char *a, const char *b);

#endif
