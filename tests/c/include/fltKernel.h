/* fltKernel.h is not in MinGW-w64: its declarations the lab uses are in tests/c/wdk_declarations.h. */
#include <ntifs.h>  /* the WDK's fltKernel.h includes ntifs.h */
#include "../wdk_declarations.h"
