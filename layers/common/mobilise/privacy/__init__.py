"""Personal data: export and erasure of one address everywhere, and the retention of a closed
petition's signatures."""
