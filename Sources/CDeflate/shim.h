#ifndef AUDIENCE_CDEFLATE_SHIM_H
#define AUDIENCE_CDEFLATE_SHIM_H
// libdeflate from the system (`libdeflate-dev`): whole-buffer deflate,
// about twice as fast as zlib's streaming inflate on a store's chunks,
// whose sizes are known before they are read.
#include <libdeflate.h>
#endif
