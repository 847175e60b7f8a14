// (moved to kernels/parallel.h; this forwarding header goes once every user includes that)
#pragma once
#include "kernels/parallel.h"
