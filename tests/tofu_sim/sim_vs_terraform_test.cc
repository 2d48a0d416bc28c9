// Differential test: the same modules through real Terraform and through tofu-sim (filled in
// next).
#include <gtest/gtest.h>
