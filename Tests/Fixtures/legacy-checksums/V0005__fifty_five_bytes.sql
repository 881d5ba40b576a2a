SELECT 1; -- xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
