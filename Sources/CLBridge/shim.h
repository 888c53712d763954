// The OpenCL 1.2 API, as the system headers declare it.
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
