"""Field work's tables, one module per idea (changes, masks, visits), all re-exported here so
Django finds them."""
