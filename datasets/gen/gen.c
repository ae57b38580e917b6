/* placeholder: replaced by the synthetic data generator */
int main(void) { return 0; }
