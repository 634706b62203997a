"""Runner transforms: Copy, Filter, FieldMapper, Replace, Split, FilterRowKind and Sql."""
