/* Empty shim: the declarations live in tests/c/wdk_stub.h (passed with -include). */
