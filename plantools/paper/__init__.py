"""How plantools writes a sheet for paper: formats, row heights, the plan sheet the copy and packs share."""
