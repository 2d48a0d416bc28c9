# stale: replaced by main.tf.tmpl-versioned
