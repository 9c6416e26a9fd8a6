// Internal declarations of the PJRT C API layer of the XlaPrune CPU plugin, in three parts:
//   api_barrier.h  the error type, PJRT_Error, and the exception barrier every entry point uses
//   api_objects.h  the objects behind the opaque PJRT handles and the type conversions
//   api_entries.h  the list of implemented entry points
#pragma once

#include "api_barrier.h"
#include "api_entries.h"
#include "api_objects.h"
