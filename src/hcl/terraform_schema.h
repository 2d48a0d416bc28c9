// The block structure of a Terraform configuration file, as far as it is the same for every
// module: which names are blocks and with which labels (variable "name", resource "type"
// "name", terraform { required_providers {} backend "type" {} } ...), and which attributes
// Terraform reads literally or as a native expression in JSON files. Bodies that depend on a
// provider's schema (resource, data and provider contents) are left to attributes.
#pragma once

#include "hcl/body_schema.h"

namespace strata::hcl {

// The schema of a whole .tf.json file.
const BodySchema& terraform_file_schema();

}  // namespace strata::hcl
