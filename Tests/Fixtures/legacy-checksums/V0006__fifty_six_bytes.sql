SELECT 1; -- xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
