#pragma once
// Whether the byte scanners (csv, json_scan) use SSE2. Every x86-64 has it;
// the CMake option LLMCOST_NO_SIMD turns it off so the scalar paths, which
// other targets compile, are built and tested here too.

#if defined(__SSE2__) && !defined(LLMCOST_NO_SIMD)
#define LLMCOST_HAVE_SSE2 1
#include <emmintrin.h>
#else
#define LLMCOST_HAVE_SSE2 0
#endif
