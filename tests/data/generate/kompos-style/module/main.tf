# stale: replaced by main.tf.versioned
