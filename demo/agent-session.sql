\echo '--- 1. an allowed query: the agent reads order totals'
SELECT customer_id, count(*) AS orders, sum(amount) AS total FROM orders GROUP BY customer_id ORDER BY customer_id;
\echo '--- 2. a destructive command: blocked by the agents policy, with the rule id'
DROP TABLE customers;
\echo '--- 3. customer data: e-mails and card numbers come back masked'
SELECT id, name, email, card_number FROM customers ORDER BY id;
\echo '--- 4. the same data disguised by an expression is still caught by the content detectors'
SELECT upper(email) AS contact FROM customers WHERE id = 1;
\echo '--- 5. the session is still usable after the denial'
SELECT count(*) AS customers FROM customers;
