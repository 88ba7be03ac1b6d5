/* fwpmk.h is not in MinGW-w64: its declarations the lab uses are in tests/c/wdk_declarations.h. */
/* like the WDK header: expects ntddk.h (or ntifs.h) to be included first */
#include "../wdk_declarations.h"
