return pcall(error, {})
