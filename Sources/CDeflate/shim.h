#ifndef AUDIENCE_CDEFLATE_SHIM_H
#define AUDIENCE_CDEFLATE_SHIM_H
// libdeflate from the system (`libdeflate-dev`): whole-buffer deflate,
// about twice as fast as zlib's streaming inflate, for what can be held
// whole: a store's chunks and gzipped logs of a few megabytes.
#include <libdeflate.h>
#endif
